"""Pure enrichment: URL, attribution, device, GeoIP and IP helpers (no Django imports)."""
