"""Monitoring an adopted plan: indicator readings, RAG thresholds, action progress and the
leads named in the content linked to people in governance."""
