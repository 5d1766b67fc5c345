"""The assessment stage: evaluating a rulebook's plan over a region's facts."""
