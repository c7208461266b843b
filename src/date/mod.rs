//! fail2ban date detection: templates, the stateful detector and timestamp conversion.
