"""The public site (no sign-in): a partnership's adopted plans with their signed PDFs and
decision notices, its consultations, the response form (adult and children's versions), the
results ("We asked, you said, we did") and each round's privacy notice."""
