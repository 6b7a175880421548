"""AI bookkeeping: analysis batches and content embeddings (filled in by the intelligence work)."""
