"""Check-ins and check-outs at a site or room, signed offline with a passkey (docs/checkins.md)."""
