"""Faults and service requests: their life, their service-level clocks."""
