"""The runtime: settings, storage, adapters, scheduler, CLI and main()."""
