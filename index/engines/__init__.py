"""Search engines behind one seam (``seam``): the schema, where builds are stored, one module per engine."""
