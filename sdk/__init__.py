"""The implementation behind ``syncline``, the SDK that resolver code imports.

Resolver code imports ``from syncline import util, runtime``; this package holds one module per
concern so each stays small: ``ids``, ``encoding``, ``values``, ``strings``, ``errors``,
``java_datetime`` + ``time``, ``dynamodb_convert``, ``runtime``, and ``util``, which groups them
under AppSync's names.
"""
