"""Reliability: hostile files, parameters and clients, load, killed and concurrent builds."""
