"""The rules, one module each; `registry.ALL_RULES` lists them."""
