"""The yearly cycle on record: the store (`store/`), self-assessment forms (`selfassess`)."""
