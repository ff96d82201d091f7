ARG x
FROM $x
