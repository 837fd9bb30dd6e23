"""API clients for MOCO and clockodo: thin adapters, nothing about sync.

- `syncd.adapters.moco.client.MocoClient`, `syncd.adapters.clockodo.client.ClockodoClient`
- `syncd.adapters.errors`: the error hierarchy both raise
- `syncd.adapters.listing`: `ListResult` / `Invalid`, the result of every list read
- `syncd.adapters.http`: the shared transport (retries, `RequestEvent` metrics hook)
- `syncd.adapters.throttle`: the process-wide rate limiter
"""
