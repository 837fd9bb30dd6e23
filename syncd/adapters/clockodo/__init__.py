"""clockodo API client and models."""
