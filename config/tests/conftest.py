from config.tests.loopback import scripted

__all__ = ["scripted"]
