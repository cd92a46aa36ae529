"""Printed reports: the round report as a PDF, the office's round list and its export."""
