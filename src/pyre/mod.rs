//! Python `re` front end onto fancy-regex (see the module docs as they grow).
