"""The built-in node pack: primitives, math, strings, collections and Pillow image nodes."""
