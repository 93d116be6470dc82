"""Production: resources (lines at a plant), routes with their bills of materials, production orders."""
