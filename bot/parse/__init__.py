"""Reading what users and AWS write: targets, ARNs, console URLs, image URIs, durations."""
