"""The review of an adopted plan: its lifecycle (lifecycle.py), its process
(AnnualReviewFlow in flow.py) and the services people and the beat call."""
