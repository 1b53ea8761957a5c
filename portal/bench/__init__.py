"""Benchmarks anyone can run (`portal bench build|preview`): generated corpora, whole builds, save to page."""
