"""Execution: the one path every run takes. Invoker -> queue -> processor -> runner -> node.

| module | job |
|---|---|
| `invoker` | `Invoker`, what applications talk to |
| `processor` | claims queue items and runs them; the one cancel mechanism |
| `runner` | runs a session's nodes, with the cache, turning every step into events |
| `node_run` | one node run's images and progress, behind its narrow context |
"""
