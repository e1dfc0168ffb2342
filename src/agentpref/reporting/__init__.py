"""Reports over evaluate.py runs: ablation tables (Markdown, LaTeX, JSON) and plots."""
