"""Exports shared by pages and API: tables as CSV, XLSX or JSON downloads (`reports.tabular`)."""
