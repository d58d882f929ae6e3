"""Consultation: rounds with questions and audiences, responses (online and imported),
engagement activities, analysis and "you said, we did". Models in ``models``; services,
pages and imports in the modules beside it."""
