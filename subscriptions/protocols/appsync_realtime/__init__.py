"""AppSync's realtime protocol (AppSync developer guide, "Building a real-time WebSocket client")."""
