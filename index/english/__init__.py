"""English made from Chinese: the CC-CEDICT dictionary, the gloss, alignment, machine translators, their memory and models."""
