"""msgspec Structs that cross service boundaries: the schema contract between services."""
