"""The autonomy harness: how many atomic tasks the whole product completes without a human."""
