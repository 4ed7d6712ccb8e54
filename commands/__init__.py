"""Platform-free command handlers: request in, :class:`commands.reply.Reply` out."""
