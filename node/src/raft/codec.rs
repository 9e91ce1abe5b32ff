//! Conversions between openraft types and their stored (prost) forms.
