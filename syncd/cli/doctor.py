"""`syncd doctor`: placeholder replaced below."""
