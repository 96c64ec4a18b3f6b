#!/usr/bin/env bash
# Stage 9: v4's weights (fresh Adam), p4's recipe: vartrack-path drawn 3 in 8, suffix mask 0.5, lr 2e-4, cosine to 5e-5.
# (started with a cosine 950 -> 1,400; from its step-150 checkpoint the cosine moved to 1,500 -> 2,000)
R=/work/runs/issue18/run-9159e15.sh; out=/work/runs/issue18/path/s9
if [[ -f $out/checkpoint/trainer.json ]]; then
  $R --out $out --resume $out/checkpoint --steps ${1:-2000} --decay-from 1500 --decay-to 2000 --checkpoint-every 50 --eval-every 200 --eval-n 32 >> $out.log 2>&1
else
  $R --out $out --init-from /work/runs/issue18/v4-model --steps ${1:-1400} --seed 601 \
    --task needle,multikey,multikey,multivalue,vartrack-path,vartrack-path,vartrack-path,count --length 1024 --queries 4 \
    --answer-slots 8 --batch 8 --layers 4 --d-model 128 --heads 4 --ffn 384 --lr 2e-4 --warmup 50 \
    --decay-from 950 --decay-to 1400 --min-lr 5e-5 --suffix-mask 0.5 --checkpoint-every 50 --eval-every 200 --eval-n 32 > $out.log 2>&1
fi
