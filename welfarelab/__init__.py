"""welfarelab: the platform of a Laboratorio Locale di Innovazione del Welfare."""
