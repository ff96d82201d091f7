ARG img=a::b
FROM $img
