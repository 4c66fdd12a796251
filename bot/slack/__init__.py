"""What faces Slack inside the bot: the Bolt app, the channel rules, the rate limits."""
