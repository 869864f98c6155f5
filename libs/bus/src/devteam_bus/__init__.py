"""The bus: connect to NATS, provision streams and buckets, run stage workers, publish events,
and keep run state with compare-and-set."""
