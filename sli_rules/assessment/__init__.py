"""Assessing a region: derive (statistics, changes, counts), evaluate (durable-rules or the Python
evaluator), judge (the verdict in the round), recommend (tier, options, peers), explain (the
record in words) and the results as data; `engine.Engine` runs them in that order."""
