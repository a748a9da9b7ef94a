"""Views (thin)."""
