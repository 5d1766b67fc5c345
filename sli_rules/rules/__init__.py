"""The rulebook: the model of the rule files (`model`), each test of the rule format declared once
(`operators`), three-valued logic (`logic`), the verdict policy (`policy`), reading YAML and JSON
with every value's place (`source`, `yamlread`, `convert`), loading and checking a rulebook
(`load/`), the rulebook lowered for evaluation (`plan`), JSON Schemas (`schema`) and editable
copies of the rules (`workspace`). Nothing here imports a later stage."""
