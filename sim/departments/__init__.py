"""The four departments: marketing, sales, operations and purchasing (Mesa agents and their rules)."""
