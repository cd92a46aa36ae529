"""QR tags on equipment and locations: signed tokens, issuing and revoking, printed labels."""
