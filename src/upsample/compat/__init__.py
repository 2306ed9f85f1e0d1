"""Drop-in modules: each framework's own call, mapped onto upsample's ops."""
