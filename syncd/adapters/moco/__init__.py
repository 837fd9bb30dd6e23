"""MOCO API v1 client and models."""
