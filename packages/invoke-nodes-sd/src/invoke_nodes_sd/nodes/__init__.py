"""The SD node classes. These modules import pydantic and invoke-core only; torch on use."""
