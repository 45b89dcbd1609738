"""One importer module per public source format; each reads the file exactly as published."""
