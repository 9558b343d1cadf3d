"""What people see: Block Kit messages, modals and Home views, built from domain values."""
