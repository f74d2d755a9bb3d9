"""The Streamlit user interface (the only layer that imports streamlit)."""
