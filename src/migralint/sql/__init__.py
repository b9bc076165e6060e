"""The SQL front ends: one subpackage per dialect turns a file's text into the statement model
(`migralint.sql.ir`) that the engine and the rules read. Dialect knowledge lives here and in the
dialect's rules, nowhere else (see CONTRIBUTING.md, Layers)."""
