"""The yearly cycle's forms and records beyond the assessment itself: thematic reviews."""
