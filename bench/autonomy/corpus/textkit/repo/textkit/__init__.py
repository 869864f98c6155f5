"""Small text helpers for the blog engine."""
