"""Rate limits: sliding-window counters per key, in this process's memory or shared through Redis."""
